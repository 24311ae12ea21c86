using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace XrayClassifier.Tests.Deploy;

/// <summary>
/// Resolves a Lambda handler string (<c>Assembly::Namespace.Type::Method</c>) against an assembly's
/// metadata, as the dotnet10 runtime will: without loading or running it, so it works on the linux-x64
/// ReadyToRun image inside the zip as well as on the IL build.
/// </summary>
internal static class HandlerInspector
{
    /// <summary>Null when the handler resolves to a public class with a public parameterless constructor
    /// and exactly one public method of that name taking a Stream and returning Stream or Task&lt;Stream&gt;;
    /// otherwise what is wrong.</summary>
    public static string? Problem(byte[] image, string handler)
    {
        var (assemblyName, typeName, methodName) = DeployFiles.SplitHandler(handler);
        using var pe = new PEReader(ImmutableArray.Create(image));
        if (!pe.HasMetadata) return "the file has no .NET metadata";
        var md = pe.GetMetadataReader();
        var actualAssembly = md.GetString(md.GetAssemblyDefinition().Name);
        if (actualAssembly != assemblyName) return $"assembly is named '{actualAssembly}', the handler says '{assemblyName}'";

        var matches = md.TypeDefinitions.Select(md.GetTypeDefinition)
            .Where(t => t.GetDeclaringType().IsNil && FullName(md, t) == typeName)
            .ToList();
        if (matches.Count == 0) return $"no top-level type '{typeName}' in {assemblyName}";
        var type = matches[0];
        var visibility = type.Attributes & TypeAttributes.VisibilityMask;
        if (visibility != TypeAttributes.Public) return $"{typeName} is not public";
        if ((type.Attributes & (TypeAttributes.Interface | TypeAttributes.Abstract)) != 0) return $"{typeName} is abstract or an interface";
        if (type.GetGenericParameters().Count > 0) return $"{typeName} is generic";

        var provider = new TypeNames();
        var methods = type.GetMethods().Select(md.GetMethodDefinition).ToList();
        bool hasPublicDefaultCtor = methods.Any(m =>
            md.GetString(m.Name) == ".ctor"
            && (m.Attributes & MethodAttributes.MemberAccessMask) == MethodAttributes.Public
            && m.DecodeSignature(provider, null).ParameterTypes.Length == 0);
        if (!hasPublicDefaultCtor) return $"{typeName} has no public parameterless constructor";

        var candidates = methods.Where(m => md.GetString(m.Name) == methodName).ToList();
        if (candidates.Count == 0) return $"{typeName} has no method {methodName}";
        if (candidates.Count > 1) return $"{typeName}.{methodName} is overloaded ({candidates.Count}); Lambda cannot choose";
        var method = candidates[0];
        if ((method.Attributes & MethodAttributes.MemberAccessMask) != MethodAttributes.Public) return $"{methodName} is not public";
        if (method.GetGenericParameters().Count > 0) return $"{methodName} is generic";
        var signature = method.DecodeSignature(provider, null);
        if (signature.ParameterTypes is not ["System.IO.Stream"])
            return $"{methodName} takes ({string.Join(", ", signature.ParameterTypes)}), not (System.IO.Stream)";
        if (signature.ReturnType is not ("System.IO.Stream" or "System.Threading.Tasks.Task`1<System.IO.Stream>"))
            return $"{methodName} returns {signature.ReturnType}, not Stream or Task<Stream>";
        return null;
    }

    private static string FullName(MetadataReader md, TypeDefinition t)
    {
        var ns = md.GetString(t.Namespace);
        var name = md.GetString(t.Name);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    /// <summary>Names types as "Namespace.Name" and generic instances as "Name`1&lt;Arg&gt;".</summary>
    private sealed class TypeNames : ISignatureTypeProvider<string, object?>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
        {
            PrimitiveTypeCode.Void => "System.Void",
            PrimitiveTypeCode.Object => "System.Object",
            PrimitiveTypeCode.String => "System.String",
            _ => "System." + typeCode,
        };

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
            FullName(reader, reader.GetTypeDefinition(handle));

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var r = reader.GetTypeReference(handle);
            var ns = reader.GetString(r.Namespace);
            return (ns.Length == 0 ? "" : ns + ".") + reader.GetString(r.Name);
        }

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) =>
            $"{genericType}<{string.Join(",", typeArguments)}>";

        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPinnedType(string elementType) => elementType;
        public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;
        public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }
}
